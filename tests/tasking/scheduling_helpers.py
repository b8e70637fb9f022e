"""Two runs at once of the meeting schedule's work, as two workers could run them: each in its own
thread and database connection (a race needs PostgreSQL: SQLite serialises writers)."""

import threading
from collections import Counter

from django.db import connection

from products.models import Product
from tasking.models import Meeting


def twice_at_once(work, *, seconds: float = 120) -> list:
    """Run `work` in two threads let go at the same moment: what each answered, once both have
    finished without an exception."""
    started = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            started.wait(timeout=10)
            results.append(work())
        except Exception as exc:  # the assertion below reports it
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds)

    assert errors == []
    assert len(results) == 2
    return results


def schedule_twice_at_once(schedule) -> list:
    """Run `schedule` (it answers a schedule run's result) twice at once, and check what they did
    between them: every meeting was created once, and each assessment they commissioned (tactical
    or strategic) is the one of a meeting. Their results, for the test's own checks."""
    results = twice_at_once(schedule)
    created = results[0].created + results[1].created
    assert len(created) == len(set(created)) == Meeting.objects.count() > 0
    duplicates = Counter(Meeting.objects.values_list("unit_id", "kind", "cadence_slot"))
    assert max(duplicates.values()) == 1
    commissioned = results[0].commissioned + results[1].commissioned
    assert len(commissioned) == Product.objects.count() > 0
    with_assessment = Meeting.objects.exclude(tactical_assessment=None, strategic_assessment=None)
    assert with_assessment.count() == len(commissioned)
    return results
