"""Ingestion: load documents, chunk them by structure, index them incrementally into Chroma."""
