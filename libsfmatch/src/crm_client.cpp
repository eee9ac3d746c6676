#include "sfmatch/crm_client.hpp"
