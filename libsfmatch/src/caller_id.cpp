#include "sfmatch/caller_id.hpp"
