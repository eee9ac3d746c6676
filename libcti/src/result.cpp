#include "cti/result.hpp"
