"""Finance's demo data (finance.demo.load)."""
