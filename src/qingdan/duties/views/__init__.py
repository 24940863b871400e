"""Custom back-office pages of the 履职清单 (三定 accept, coverage, matrix, search)."""
