"""Scenario models: GP supply against demand, the gap, its uncertainty and its cost.

One module per concern; everything is a pure function of numbers (or arrays of numbers) except
:func:`load_scenario_file`, which reads a named scenario file (``scenarios/*.yaml``) and checks
it, and :func:`load_context`, which runs a file for one area as the report chapter needs it.

=================  ==========================================================================
``params``         :class:`Param`, :data:`PARAMETERS`, :class:`Dist`, :class:`Scenario`,
                   :class:`ScenarioSet`
``loader``         :func:`load_scenario_file` (file, line and key on every problem)
``supply``         :func:`project` (published and annual modes), :func:`run`,
                   :func:`published_table`, :func:`annual_paths`, :func:`area_scaled`
``demand``         :func:`demand_options`, :func:`target_wte`, :func:`implied_demand`, ...
``uncertainty``    :func:`tornado`, :func:`monte_carlo`, :func:`bench`
``levers``         :func:`solve_lever`, :func:`solve_table`
``finance``        :func:`gap_cost`, :func:`unit_costs`, :func:`scenario_costs`
``baseline``       :func:`data_baseline` (GP WTE, age profile, staff mix from the data),
                   :func:`baseline_comparison` (stated override beside the data)
``stockflow``      stock-flow model by age band: ageing, leavers, retirements, pipeline,
                   recruits, returners, role substitution; demand by age; correlated
                   Monte Carlo, tornado, solve-for-lever (rates in ``config/stockflow.yaml``)
``chapter``        :func:`load_context` and the frames the report chapter shows
=================  ==========================================================================

The comparison with the published figures is in :mod:`analysis.validation.scenarios`. This
package re-exports the public names of its modules, so ``from analysis.models import scenarios
as sc; sc.project(...)`` works; ``python -m analysis bench --only scenarios`` times 10,000 Monte
Carlo draws against one deterministic run (:func:`bench`).
"""

from analysis.models.scenarios import stockflow
from analysis.models.scenarios.baseline import DataBaseline, data_baseline
from analysis.models.scenarios.baseline import comparison as baseline_comparison
from analysis.models.scenarios.chapter import (
    ScenarioContext,
    load_context,
    scenario_file_for,
)
from analysis.models.scenarios.demand import (
    DEMAND_LABELS,
    DEMAND_METHODS,
    demand_options,
    demand_ratio,
    implied_demand,
    population_growth_factor,
    target_wte,
)
from analysis.models.scenarios.finance import (
    finance_defaults,
    gap_cost,
    retention_scheme_cost,
    scenario_costs,
    unit_costs,
)
from analysis.models.scenarios.levers import LEVERS, Solution, solve_lever, solve_table
from analysis.models.scenarios.loader import load_scenario_file
from analysis.models.scenarios.params import (
    COMPONENT_LABELS,
    COMPONENTS,
    MODES,
    PARAMETERS,
    RETIRE_SHARE,
    ROUNDINGS,
    Dist,
    Param,
    Scenario,
    ScenarioSet,
    add_years,
)
from analysis.models.scenarios.supply import (
    annual_paths,
    area_scaled,
    params_frame,
    project,
    published_table,
    retirement_cases,
    run,
)
from analysis.models.scenarios.uncertainty import (
    MonteCarlo,
    bench,
    bench_text,
    default_spread_setting,
    monte_carlo,
    sample_parameters,
    tornado,
)

__all__ = [
    "COMPONENTS", "COMPONENT_LABELS", "DataBaseline", "baseline_comparison", "data_baseline",
    "stockflow", "DEMAND_LABELS", "DEMAND_METHODS", "LEVERS", "MODES",
    "PARAMETERS", "RETIRE_SHARE", "ROUNDINGS", "Dist", "MonteCarlo", "Param", "Scenario",
    "ScenarioContext", "ScenarioSet", "Solution", "add_years", "annual_paths", "area_scaled",
    "bench", "bench_text", "default_spread_setting", "demand_options", "demand_ratio",
    "finance_defaults", "gap_cost", "implied_demand", "load_context", "load_scenario_file",
    "monte_carlo", "params_frame", "population_growth_factor", "project", "published_table",
    "retention_scheme_cost", "retirement_cases", "run", "sample_parameters", "scenario_costs",
    "scenario_file_for", "solve_lever", "solve_table", "target_wte", "tornado", "unit_costs",
]
