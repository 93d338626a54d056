"""Outputs: pages, data package, feed and sitemap, search index, each written from the published store."""
