"""The Kubernetes target's effects: files of rendered manifests, and kubectl."""
