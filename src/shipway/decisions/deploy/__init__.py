"""Deploy decisions for the local target: state, repairs, router configuration, checks."""
