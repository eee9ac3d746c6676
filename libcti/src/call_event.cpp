#include "cti/call_event.hpp"
