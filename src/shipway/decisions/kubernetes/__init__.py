"""The Kubernetes target: manifests from configuration, and the kubectl commands that apply
and drive them (Argo Rollouts does the rollout)."""
