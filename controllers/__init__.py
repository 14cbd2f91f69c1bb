from . import repermission
from . import details
