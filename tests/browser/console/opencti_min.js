// A recording stand-in for Salesforce's Lightning Open CTI library (sforce.opencti), served
// by the demo console at the path Salesforce serves the real one. Every call is recorded
// (POST /__record on the console, whose page shows the log); callbacks get Salesforce's
// response shape {success, returnValue, errors}. runApex answers through the console, which
// runs SoftphoneSearchController's query against the Salesforce emulator when it has one.
(function () {
  'use strict';
  var consoleOrigin = new URL(document.currentScript.src).origin;
  var frameId = Math.random().toString(36).slice(2, 10);
  var clickToDialListener = null;
  var callCenter = {
    '/reqGeneralInfo/reqInternalName': 'SfproxyDemo',
    '/reqGeneralInfo/reqDisplayName': 'Softphone demo call centre',
    '/reqDialingOptions/reqOutsidePrefix': '9',
    '/reqDialingOptions/reqLongDistPrefix': '1',
    '/reqDialingOptions/reqInternationalPrefix': '011',
  };

  function plain(args) {
    var copy = {};
    Object.keys(args || {}).forEach(function (key) {
      if (typeof args[key] !== 'function') copy[key] = args[key];
    });
    return copy;
  }

  function record(method, args) {
    var entry = { method: method, args: plain(args), frame: frameId, at: Date.now() };
    // text/plain keeps this a simple cross-origin request (no preflight).
    fetch(consoleOrigin + '/__record', {
      method: 'POST', mode: 'cors', keepalive: true, body: JSON.stringify(entry),
      headers: { 'Content-Type': 'text/plain' },
    }).catch(function () {});
  }

  function answer(args, value) {
    if (args && typeof args.callback === 'function') {
      setTimeout(function () { args.callback({ success: true, returnValue: value, errors: null }); }, 0);
    }
  }

  function recorded(method, value) {
    return function (args) {
      record(method, args);
      answer(args, typeof value === 'function' ? value(args) : value);
    };
  }

  window.sforce = window.sforce || {};
  window.sforce.opencti = {
    SCREENPOP_TYPE: {
      SOBJECT: 'sobject', URL: 'url', OBJECTHOME: 'objecthome', LIST: 'list', SEARCH: 'search',
      NEW_RECORD_MODAL: 'newRecord', FLOW: 'flow',
    },
    CALL_TYPE: { INBOUND: 'inbound', OUTBOUND: 'outbound', INTERNAL: 'internal' },
    notifyInitializationComplete: recorded('notifyInitializationComplete', null),
    getCallCenterSettings: recorded('getCallCenterSettings', function () { return callCenter; }),
    enableClickToDial: recorded('enableClickToDial', null),
    disableClickToDial: recorded('disableClickToDial', null),
    setSoftphonePanelVisibility: recorded('setSoftphonePanelVisibility', null),
    isSoftphonePanelVisible: recorded('isSoftphonePanelVisible', { visible: true }),
    screenPop: recorded('screenPop', null),
    searchAndScreenPop: recorded('searchAndScreenPop', {}),
    onClickToDial: function (args) {
      record('onClickToDial', args);
      clickToDialListener = args && args.listener;
    },
    runApex: function (args) {
      record('runApex', args);
      fetch(consoleOrigin + '/__apex?' + args.methodParams, { mode: 'cors' })
        .then(function (response) { return response.text(); })
        .then(function (text) {
          if (typeof args.callback === 'function') {
            args.callback({ success: true, returnValue: { runApex: text }, errors: null });
          }
        })
        .catch(function (error) {
          if (typeof args.callback === 'function') {
            args.callback({ success: false, returnValue: null,
                            errors: [{ code: 'SERVER_ERROR', description: String(error) }] });
          }
        });
    },
  };

  // The console's phone-number links stand in for the phone icons on Salesforce records.
  window.addEventListener('message', function (event) {
    if (event.origin !== consoleOrigin || event.source !== window.parent) return;
    var data = event.data || {};
    if (data.type === 'clickToDial' && clickToDialListener) {
      clickToDialListener({ number: String(data.number), recordId: data.recordId || '',
                            recordName: data.recordName || '', objectType: data.objectType || '' });
    }
  });
})();
