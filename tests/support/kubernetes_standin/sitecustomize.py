"""Loaded by an ``inv`` subprocess started with this directory on PYTHONPATH: the manifests
come from tests/support/kubernetes.py's stand-in until the manifests side is merged."""

from shipway.entry import kubernetes
from tests.support.kubernetes import standin_manifests

kubernetes.manifests = standin_manifests
