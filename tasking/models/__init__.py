from .actions import *  # noqa: F403
from .actions import __all__ as _actions
from .meetings import *  # noqa: F403
from .meetings import __all__ as _meetings
from .proceedings import *  # noqa: F403
from .proceedings import __all__ as _proceedings
from .strategy import *  # noqa: F403
from .strategy import __all__ as _strategy
from .submissions import *  # noqa: F403
from .submissions import __all__ as _submissions

__all__ = [*_strategy, *_meetings, *_submissions]
__all__ += _proceedings
__all__ += _actions
