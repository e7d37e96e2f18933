"""The Teams app package: the manifest template in `infra/appPackage/`, filled from the
settings and the trust configuration, and the two icons (`python -m teamsapp`).

It imports nothing from botbuilder and starts nothing: it only writes files.
"""
