"""planner: an offline workforce planner and skill-based router for customer-service teams.

The weekly cycle: history -> forecast -> requirements -> tiers -> schedule -> simulate -> report.
Each stage is a subpackage with a plain-function API; ``planner.cli`` is a thin typer app over them.
"""

__version__ = "0.1.0"
