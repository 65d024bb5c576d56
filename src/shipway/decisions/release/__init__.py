"""Builds and releases: versions, manifests, the commands that build, sign and publish."""
