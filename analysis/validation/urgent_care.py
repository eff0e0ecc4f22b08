"""The urgent-care disposition mix compared with the published IUC ADC shares.

The area's case mix (IUC ADC definitions, :func:`analysis.models.urgent_care.profiles.case_mix`)
is set beside its contract area, its region and every contract in the IUC ADC file, and beside
the shares NHS England published for 2024-25 (England; Midlands contract area 111AL7).
"""

from __future__ import annotations

import math

import pandas as pd

from analysis.config import settings
from analysis.models.urgent_care import profiles as upr


def mix_columns(ctx, min_cases: int | None = None) -> dict[str, dict]:
    """Sources of the disposition mix comparison, in display order (label -> measure -> share).

    Parameters
    ----------
    ctx : UrgentCareContext
        The chapter's context (:func:`analysis.models.urgent_care.context.load_context`).
    min_cases : int, optional
        With fewer cases than this the area's own shares are left blank; default the config's
        ``report: disclosure: suppress_below``.
    """
    if min_cases is None:
        min_cases = settings().report.disclosure.suppress_below
    cols = {}
    if ctx.has_cases:
        mix = upr.case_mix(ctx.cases)
        if len(ctx.cases) < min_cases:
            mix = dict.fromkeys(mix, math.nan)
        label = ctx.area.short_name + (" (cases)" if ctx.cases_source == "extract"
                                       else " (modelled)")
        cols[label] = mix
    if ctx.adc is not None:
        if ctx.contract is not None:
            cols[f"Contract {ctx.contract[0]}"] = upr.iucadc_shares(ctx.adc, [ctx.contract[0]])
        if ctx.region is not None:
            cols[f"{ctx.region[1]} region"] = upr.iucadc_shares(ctx.adc, region=ctx.region[0])
        n_contracts = ctx.adc["contract_code"].nunique()
        n_regions = ctx.adc.loc[ctx.adc["region_code"] != "", "region_code"].nunique()
        label = ("England (IUC ADC file)" if n_regions >= 7
                 else f"All contracts in file ({n_contracts})")
        cols[label] = upr.iucadc_shares(ctx.adc)
    cols["England 2024-25 (published)"] = upr.PUBLISHED_ENGLAND_2024_25
    cols["Midlands 111AL7 2024-25 (published)"] = upr.PUBLISHED_MIDLANDS_2024_25
    return cols


def mix_comparison(ctx) -> tuple[dict[str, dict], pd.DataFrame]:
    """:func:`mix_columns` and the table of them (rows = measures, one column per source)."""
    cols = mix_columns(ctx)
    return cols, upr.mix_table(cols)
