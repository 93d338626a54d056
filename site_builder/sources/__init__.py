"""Sources: where raw rows come from (a records folder of CSV and XLSX files). Reading never changes what it describes."""
