"""The long-term capacity plan: demand weeks to months ahead, required FTE per skill set and week,
supply with attrition, hiring classes and cross-skilling, and the least-cost hiring plan.

Library API::

    from planner.capacity import capacity_plan
    plan = capacity_plan(load_folder("data/"), months=12)   # plan.plan, plan.hiring, plan.demand
"""

from planner.capacity.demand import Demand, weekly_demand
from planner.capacity.plan import CapacityPlan, capacity_plan, horizon_weeks
from planner.capacity.required import weekly_requirements
from planner.capacity.supply import HiringClass, Supply, class_fte, current_supply, ramp, survival

__all__ = ["CapacityPlan", "Demand", "HiringClass", "Supply", "capacity_plan", "class_fte",
           "current_supply", "horizon_weeks", "ramp", "survival", "weekly_demand",
           "weekly_requirements"]
