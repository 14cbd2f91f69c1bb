from . import test_tools
from . import test_consent
from . import test_access
from . import test_partner
from . import test_activity
from . import test_activity_http
from . import test_matching
from . import test_normalize
