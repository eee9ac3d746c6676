#include "sfmatch/api_name.hpp"
