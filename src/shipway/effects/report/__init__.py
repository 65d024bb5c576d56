"""Reports of an environment: what git says of the commits its deploys shipped."""
