#include "sfmatch/pop_decision.hpp"
