"""Every model of the tasking app, from its concept's package: the app's models module, which
Django and the migrations read. Code of the app imports from the concept's own models module."""

from tasking.actions.models import *  # noqa: F403
from tasking.actions.models import __all__ as _actions
from tasking.bids.models import *  # noqa: F403
from tasking.bids.models import __all__ as _bids
from tasking.briefings.models import *  # noqa: F403
from tasking.briefings.models import __all__ as _briefings
from tasking.meetings.models import *  # noqa: F403
from tasking.meetings.models import __all__ as _meetings
from tasking.proceedings.models import *  # noqa: F403
from tasking.proceedings.models import __all__ as _proceedings
from tasking.requests.models import *  # noqa: F403
from tasking.requests.models import __all__ as _requests
from tasking.resources.models import *  # noqa: F403
from tasking.resources.models import __all__ as _resources
from tasking.safeguards.models import *  # noqa: F403
from tasking.safeguards.models import __all__ as _safeguards
from tasking.strategy.models import *  # noqa: F403
from tasking.strategy.models import __all__ as _strategy
from tasking.submissions.models import *  # noqa: F403
from tasking.submissions.models import __all__ as _submissions

__all__ = [*_strategy, *_meetings, *_submissions]
__all__ += _proceedings
__all__ += _requests
__all__ += _actions
__all__ += _resources + _bids
__all__ += _safeguards
__all__ += _briefings
