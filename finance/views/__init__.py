"""Finance's pages (glue over the selectors and services)."""
