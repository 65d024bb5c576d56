"""shipway: a Python service's CI/CD pipeline as nox sessions and invoke tasks.

Three layers, data flowing one way (see DESIGN.md):
``shipway.config`` (what the user asked for) → ``shipway.decisions`` (pure plans and verdicts)
→ ``shipway.effects`` (processes, files, terminals).
"""
