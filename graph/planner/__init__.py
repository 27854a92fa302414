"""Planners: turn a request into a plan of routed subtasks."""

from ringmaster.graph.planner.base import Alternative, Plan, Planner, Subtask

__all__ = ["Alternative", "Plan", "Planner", "Subtask"]
