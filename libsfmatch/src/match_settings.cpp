#include "sfmatch/match_settings.hpp"
