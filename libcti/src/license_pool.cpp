#include "cti/agent.hpp"
