"""Reports of an environment: what its deploys did, and the DORA keys of its history."""
