"""shipway: a Python service's CI/CD pipeline as nox sessions and invoke tasks.

Four layers, data flowing one way (see docs/architecture.md): ``shipway.config`` (what the
user asked for) → ``shipway.decisions`` (pure plans and verdicts) → ``shipway.effects``
(processes, files, HTTP, terminals) → ``shipway.entry`` (the bodies of sessions and tasks).
"""
