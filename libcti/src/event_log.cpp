#include "cti/event_log.hpp"
