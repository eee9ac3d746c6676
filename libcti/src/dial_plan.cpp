#include "cti/dial_plan.hpp"
