"""The regression cases: scenario, replications and seed of each stored reference.

Small replication counts keep the suite fast; the seed is fixed so the runs
are exact. `scripts/update-regression-references` regenerates the references
from these cases (only ever in the commit that changes the model, saying why).
"""

CASES = {
    # name: (scenario path relative to the repository, replications, seed)
    "midlands-2018": ("scenarios/midlands-2018.toml", 2, 20180801),
    "mmc-3": ("scenarios/validation/mmc-3.toml", 3, 7),
    "infinite-server-two-phase": ("scenarios/validation/infinite-server-two-phase.toml", 3, 9),
    # Day-0 state from staff and case files: cases end on whole days, as
    # snapshots fall, so the order of events at one instant shows.
    "midlands-2018-snapshot": ("scenarios/midlands-2018-snapshot.toml", 2, 20180801),
}

# The tables compared: the headline figures of every replication and LDU
# (/summary) and their statistics across replications (/statistics).
TABLES = ("summary", "statistics")
