#include "cti/call.hpp"
