"""The base of every FilterSet: a filter that picks a row of another table (an organization, a person)
offers only the rows in the user's scope, so an id outside it is refused exactly like one that does not
exist — no probing which ids are there."""
import django_filters as df


class ScopedFilterSet(df.FilterSet):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self.request, "user", None)
        for f in self.filters.values():
            queryset = getattr(f, "queryset", None)
            if queryset is not None and hasattr(queryset, "restrict"):
                f.queryset = queryset.restrict(user)
