#include "sfmatch/escape.hpp"
