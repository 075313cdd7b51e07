"""rfsn: an autonomous repair agent controller.

Importing the package is cheap: it pulls in no Docker, LLM or Ray client.
Those load only when the part that needs them is chosen.
"""

__version__ = "0.1.0"
