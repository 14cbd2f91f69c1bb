from . import hygiene
