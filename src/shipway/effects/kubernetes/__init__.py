"""The Kubernetes target's effects: kubectl and its Argo Rollouts plugin, the Lease lock, and
the tasks on the cluster (render.py, the manifests' directory, is the manifests side's)."""
