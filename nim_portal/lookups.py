"""`any_of`: a field is one of the values a subquery selects, as `IN` but planned otherwise on
PostgreSQL, where it is written `= ANY(ARRAY(subquery))`: the subquery runs once, before the
scan, and the planner can read the field's index for the values. Two `IN (subquery)` filters
joined by OR instead make it test both subqueries on every row of the table."""

from django.db.models import Field, ForeignObject
from django.db.models.lookups import In


@ForeignObject.register_lookup
@Field.register_lookup
class AnyOf(In):
    lookup_name = "any_of"

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY(ARRAY{rhs})", (*lhs_params, *rhs_params)
