"""Builds and releases: building, the artifact store, the package index, git."""
