"""The local deploy target: releases in venvs, gunicorn, Envoy, state on disk."""
