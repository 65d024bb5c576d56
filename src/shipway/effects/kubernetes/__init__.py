"""The Kubernetes target's effects: the rendered manifests' directory (render.py), kubectl and
its Argo Rollouts plugin, the Lease lock, and the tasks on the cluster."""
