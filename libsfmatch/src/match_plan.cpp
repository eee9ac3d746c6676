#include "sfmatch/match_plan.hpp"
