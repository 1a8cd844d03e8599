"""exitwhy: explain why each container in a pod, namespace or cluster last died."""

__version__ = "0.1.0"
