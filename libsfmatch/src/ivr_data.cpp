#include "sfmatch/ivr_data.hpp"
