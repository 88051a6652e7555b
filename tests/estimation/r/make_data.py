"""Write the small input data for parity.R (run once; the CSVs are committed beside it).

A stratified (district) household sample whose respondents over-represent older people, so that raking and
bounded linear calibration move the weights visibly. Deterministic (seeded).
"""

from pathlib import Path

import numpy as np
import polars as pl

HERE = Path(__file__).parent


def main() -> None:
    rng = np.random.default_rng(20240601)
    districts = ["D1", "D2", "D3", "D4"]
    rows = []
    hid = 0
    for k, district in enumerate(districts):
        n_households = [30, 45, 25, 40][k]
        weight = [80.0, 55.0, 120.0, 65.0][k]
        for _ in range(n_households):
            hid += 1
            size = int(rng.choice([1, 2, 3, 4, 5], p=[0.3, 0.3, 0.2, 0.15, 0.05]))
            for _ in range(size):
                age = str(rng.choice(["a15_39", "a40_64", "a65p"], p=[0.2, 0.4, 0.4]))
                sex = str(rng.choice(["F", "M"]))
                older = age != "a15_39"
                rows.append(
                    {
                        "hid": hid,
                        "district": district,
                        "w": weight,
                        "agesex": f"{sex}_{age}",
                        "hhsize": "h4p" if size >= 4 else f"h{size}",
                        "income": round(float(rng.gamma(2.0, 150.0) + 40 * older + 15 * k), 2),
                        "employed": int(rng.random() < (0.75 if age != "a65p" else 0.25)),
                        "hours": round(float(rng.uniform(0, 45)), 1),
                    }
                )
    frame = pl.DataFrame(rows)
    frame.write_csv(HERE / "parity_sample.csv")
    # Registry totals: younger people and D2 are more numerous than the respondents suggest.
    totals = {
        "agesex": {
            "F_a15_39": 4300,
            "F_a40_64": 4800,
            "F_a65p": 3900,
            "M_a15_39": 4500,
            "M_a40_64": 4700,
            "M_a65p": 3300,
        },
        "district": {"D1": 6200, "D2": 7900, "D3": 6100, "D4": 5300},
        "hhsize": {"h1": 4600, "h2": 7400, "h3": 6300, "h4p": 7200},
    }
    pl.DataFrame(
        [{"margin": m, "level": lv, "total": t} for m, levels in totals.items() for lv, t in levels.items()]
    ).write_csv(HERE / "parity_totals.csv")


if __name__ == "__main__":
    main()
