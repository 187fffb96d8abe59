"""The decision dashboard's charts as ECharts options, built here so that their layout can be tested.

dashboard.js hands `option` to ECharts as it is and adds only what JSON cannot carry (a value formatter
for percentages, the click that opens a bar's unit). The layout rules of issue 13 (defect 9):

- Units by name (a township's 20–40 villages, a county's townships) and the long names of rates are
  horizontal bars: the names stand one under the other on the category axis, every one shown
  (`interval: 0`), cut with "…" beyond `LABEL_WIDTH` pixels, and the chart grows with the number of
  bars (`height`) up to `MAX_BARS`, beyond which it scrolls. ECharts 6 shrinks a grid whose axis
  labels would leave the chart (its default `outerBoundsMode`), so the grid's margins are small.
- Pies keep their labels inside the ring (percentages, only on slices wide enough for one) and name
  the slices in a scrolling legend below, with the radius leaving room for both: nothing is cut off.
- A trend needs two days: with fewer, `trend_figure` gives the one value as a figure instead of a chart.
"""

from __future__ import annotations

#: Pixels of a category label on the horizontal bars (nine characters; longer ones end in "…").
LABEL_WIDTH = 112
#: Pixels per bar, and the chart's height (pixels) without bars and at least.
BAR_PIXELS, CHROME_PIXELS, MIN_HEIGHT = 26, 92, 360
#: Bars shown at once; more scroll (a slider beside the bars).
MAX_BARS = 30
#: Slices narrower than this (degrees) carry no label of their own (the legend and tooltip name them).
MIN_LABEL_ANGLE = 20
RED, GREEN = "#c0392b", "#2e8b57"


def _title(text: str) -> dict:
    return {"text": text, "left": 8, "top": 6, "textStyle": {"fontSize": 14}}


def _height(bars: int) -> int:
    return max(MIN_HEIGHT, CHROME_PIXELS + BAR_PIXELS * min(bars, MAX_BARS))


def horizontal_bars(*, title: str, names: list[str], values: list, percent: bool, series: str = "",
                    urls: list | None = None, max_value: float | None = None) -> dict:
    """Bars one under the other, the first name on top; the payload dashboard.js draws."""
    label = {"interval": 0, "width": LABEL_WIDTH, "overflow": "truncate", "ellipsis": "…"}
    option = {
        "title": _title(title),
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}, "renderMode": "richText"},
        "grid": {"left": 8, "right": 48, "top": 40, "bottom": 16},
        "yAxis": {"type": "category", "data": names, "inverse": True, "axisLabel": label,
                  "axisTick": {"alignWithLabel": True}},
        "xAxis": {"type": "value", "max": max_value,
                  "axisLabel": {"formatter": "{value}%" if percent else "{value}"}},
        "color": [RED],
        "series": [{"type": "bar", "name": series or title, "data": values, "barMaxWidth": 22,
                    "cursor": "pointer" if urls else "default",
                    "label": {"show": True, "position": "right", "formatter": "{c}%" if percent else "{c}"}}],
        "dataZoom": [],
    }
    if len(names) > MAX_BARS:
        option["dataZoom"] = [{"type": "slider", "yAxisIndex": 0, "right": 4, "width": 14,
                               "start": 0, "end": round(100 * MAX_BARS / len(names), 2)},
                              {"type": "inside", "yAxisIndex": 0}]
        option["grid"]["right"] = 64
    return {"option": option, "height": _height(len(names)), "percent": percent, "urls": urls, "empty": not values}


def year_bars(*, title: str, names: list[str], values: list, series: str) -> dict:
    """Counts per year: a bar per year (one year is one bar, never a line through a single point)."""
    option = {
        "title": _title(title),
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}, "renderMode": "richText"},
        "grid": {"left": 8, "right": 20, "top": 44, "bottom": 16},
        "xAxis": {"type": "category", "data": names, "axisLabel": {"interval": "auto", "hideOverlap": True}},
        "yAxis": {"type": "value", "minInterval": 1},
        "color": [GREEN],
        "series": [{"type": "bar", "name": series, "data": values, "barMaxWidth": 36,
                    "label": {"show": len(names) <= 12, "position": "top"}}],
    }
    return {"option": option, "height": MIN_HEIGHT, "percent": False, "urls": None, "empty": not values}


def pie(*, title: str, names: list[str], values: list) -> dict:
    """A ring with its percentages inside and the names in a legend below it."""
    option = {
        "title": _title(title),
        "tooltip": {"trigger": "item", "formatter": "{b}: {c} ({d}%)", "renderMode": "richText"},
        "legend": {"type": "scroll", "orient": "horizontal", "bottom": 4, "left": "center", "data": names},
        "series": [{"type": "pie", "radius": ["30%", "58%"], "center": ["50%", "50%"], "avoidLabelOverlap": True,
                    "minShowLabelAngle": MIN_LABEL_ANGLE,
                    "label": {"show": True, "position": "inside", "formatter": "{d}%", "fontSize": 11,
                              "color": "#fff"},
                    "labelLine": {"show": False},
                    "data": [{"name": n, "value": v} for n, v in zip(names, values)]}],
    }
    return {"option": option, "height": MIN_HEIGHT, "percent": False, "urls": None, "empty": not values}


def trend(*, title: str, days: list[str], series: list[dict]) -> dict | None:
    """Two measures over the days of the stored refreshes (persons left, a rate right); None with fewer
    than two days, where a line would be a single dot (show `trend_figure` instead)."""
    if len(days) < 2:
        return None
    option = {
        "title": _title(title),
        "tooltip": {"trigger": "axis", "renderMode": "richText"},
        "legend": {"top": 30, "right": 8},
        "grid": {"left": 8, "right": 8, "top": 64, "bottom": 16},
        "xAxis": {"type": "category", "data": days, "axisLabel": {"hideOverlap": True}},
        "yAxis": [{"type": "value"}, {"type": "value", "axisLabel": {"formatter": "{value}%"}}],
        "series": [{"type": "line", "name": s["name"], "yAxisIndex": i, "data": s["values"], "symbolSize": 6}
                   for i, s in enumerate(series)],
    }
    return {"option": option, "height": MIN_HEIGHT, "percent": False, "urls": None, "empty": False}


def trend_figure(*, days: list[str], series: list[dict]) -> list[dict]:
    """The values of the last day there is (none without days), for the page to show as figures: each
    series as given, with `value` in place of its `values`."""
    if not days:
        return []
    return [{**{k: v for k, v in s.items() if k != "values"}, "value": s["values"][-1]} for s in series]
