"""site_builder: a static publisher for public credit information (公共信用信息)."""

__version__ = "0.1.0"
