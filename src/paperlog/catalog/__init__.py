"""The offline paper catalog: ingest, search, and the data recommendations are drawn from."""
