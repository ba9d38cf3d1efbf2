"""A row of the table: one figure, its reference from the same run, the ratio and the goal."""

import statistics


def median(values):
    return statistics.median(values) if values else None


class Row:
    def __init__(self, section, what, unit, figure, reference_name, reference, goal,
                 higher_is_better=True, target=None, notes="", extra_ok=True, samples=None,
                 ratios=None):
        self.section = section
        self.what = what
        self.unit = unit
        self.figure = figure
        self.reference_name = reference_name
        self.reference = reference
        self.goal = goal
        self.notes = notes
        self.samples = samples or {}
        # The median of the rounds' own ratios (figure and reference measured back to back)
        # when there are rounds: it holds while the machine's speed drifts between rounds.
        ratios = [r for r in (ratios or []) if r is not None]
        if ratios:
            self.ratio = median(ratios)
        else:
            self.ratio = (figure / reference) if figure is not None and reference else None
        if ratios:
            self.samples = dict(self.samples, ratios=ratios)
        if self.ratio is None:
            self.met = "n/a"
        elif target is None:
            self.met = "-"
        else:
            ok = self.ratio >= target if higher_is_better else self.ratio <= target
            self.met = "yes" if ok and extra_ok else "no"

    def as_dict(self):
        return {
            "section": self.section, "what": self.what, "figure": self.figure, "unit": self.unit,
            "reference": self.reference_name, "reference_figure": self.reference,
            "ratio": self.ratio, "goal": self.goal, "met": self.met, "notes": self.notes,
            "samples": self.samples,
        }


def unavailable(section, what, why):
    return Row(section, what, "", None, "", None, "", notes="not available: " + why)


def fmt(value):
    if value is None:
        return "-"
    if abs(value) >= 1000:
        return "{:,.0f}".format(value)
    if abs(value) >= 10:
        return "{:.1f}".format(value)
    return "{:.3g}".format(value)
